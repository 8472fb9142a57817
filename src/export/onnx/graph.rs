//! A small builder of ONNX graphs: unique value names, constants, nodes and typed inputs and
//! outputs, so that the recipe and model writers read as the computation they describe.

use std::collections::HashSet;

use super::proto::{
    attribute_type, data_type, tensor_shape_proto, type_proto, AttributeProto, GraphProto,
    NodeProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};

/// The operator set of `ai.onnx.ml` operators (string encoding and tree ensembles).
pub const ML_DOMAIN: &str = "ai.onnx.ml";

/// A graph being built.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    taken: HashSet<String>,
}

/// One dimension of a declared shape.
#[derive(Debug, Clone, Copy)]
pub enum Dim {
    /// The batch: any number of rows, named `N`.
    Rows,
    Fixed(i64),
}

impl GraphBuilder {
    /// A value name not used before: `hint`, or `hint_2`, `hint_3`… Column names are taken
    /// first, as graph inputs, so nothing internal can shadow one.
    pub fn fresh(&mut self, hint: &str) -> String {
        let mut name = hint.to_string();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{hint}_{n}");
            n += 1;
        }
        name
    }

    /// Declare a graph input named exactly `name` (a column name).
    pub fn input(&mut self, name: &str, elem_type: i32, dims: &[Dim]) -> String {
        self.taken.insert(name.to_string());
        self.inputs.push(value_info(name, elem_type, dims));
        name.to_string()
    }

    /// Declare `value` a graph output of this type and shape.
    pub fn output(&mut self, value: &str, elem_type: i32, dims: &[Dim]) {
        self.outputs.push(value_info(value, elem_type, dims));
    }

    /// A double constant of shape `dims`.
    pub fn doubles(&mut self, hint: &str, dims: &[i64], values: Vec<f64>) -> String {
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            dims: dims.to_vec(),
            data_type: data_type::DOUBLE,
            name: name.clone(),
            double_data: values,
            ..Default::default()
        });
        name
    }

    /// An int64 constant of shape `dims`.
    pub fn int64s(&mut self, hint: &str, dims: &[i64], values: Vec<i64>) -> String {
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            dims: dims.to_vec(),
            data_type: data_type::INT64,
            name: name.clone(),
            int64_data: values,
            ..Default::default()
        });
        name
    }

    /// A string constant of shape `dims`.
    pub fn strings(&mut self, hint: &str, dims: &[i64], values: &[String]) -> String {
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            dims: dims.to_vec(),
            data_type: data_type::STRING,
            name: name.clone(),
            string_data: values.iter().map(|s| s.as_bytes().to_vec()).collect(),
            ..Default::default()
        });
        name
    }

    /// A standard operator with one output named after `hint`.
    pub fn op(&mut self, op_type: &str, inputs: &[&str], attrs: Vec<AttributeProto>) -> String {
        self.op_in("", op_type, inputs, attrs, op_type)
    }

    /// An operator of `domain` with one output named after `hint`.
    pub fn op_in(
        &mut self,
        domain: &str,
        op_type: &str,
        inputs: &[&str],
        attrs: Vec<AttributeProto>,
        hint: &str,
    ) -> String {
        let out = self.fresh(hint);
        self.op_outputs(domain, op_type, inputs, &[&out], attrs);
        out
    }

    /// An operator writing the given (already fresh) output names.
    pub fn op_outputs(
        &mut self,
        domain: &str,
        op_type: &str,
        inputs: &[&str],
        outputs: &[&str],
        attrs: Vec<AttributeProto>,
    ) {
        let name = self.fresh(&format!("node_{op_type}"));
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            name,
            op_type: op_type.to_string(),
            domain: domain.to_string(),
            attribute: attrs,
        });
    }

    /// The finished graph.
    pub fn finish(self, name: &str, doc: &str) -> GraphProto {
        GraphProto {
            node: self.nodes,
            name: name.to_string(),
            initializer: self.initializers,
            doc_string: doc.to_string(),
            input: self.inputs,
            output: self.outputs,
        }
    }
}

fn value_info(name: &str, elem_type: i32, dims: &[Dim]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                Dim::Rows => tensor_shape_proto::dimension::Value::DimParam("N".into()),
                Dim::Fixed(n) => tensor_shape_proto::dimension::Value::DimValue(*n),
            }),
        })
        .collect();
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type,
                shape: Some(TensorShapeProto { dim }),
            })),
        }),
        doc_string: String::new(),
    }
}

/// An integer attribute.
pub fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INT,
        i: value,
        ..Default::default()
    }
}

/// A string attribute.
pub fn string(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::STRING,
        s: value.as_bytes().to_vec(),
        ..Default::default()
    }
}

/// A list-of-integers attribute.
pub fn ints(name: &str, values: Vec<i64>) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INTS,
        ints: values,
        ..Default::default()
    }
}

/// A list-of-strings attribute.
pub fn strings<S: AsRef<str>>(name: &str, values: &[S]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::STRINGS,
        strings: values
            .iter()
            .map(|s| s.as_ref().as_bytes().to_vec())
            .collect(),
        ..Default::default()
    }
}

/// A one-dimensional double tensor attribute (`nodes_values_as_tensor` and the like).
pub fn double_tensor(name: &str, values: Vec<f64>) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::TENSOR,
        t: Some(TensorProto {
            dims: vec![values.len() as i64],
            data_type: data_type::DOUBLE,
            double_data: values,
            ..Default::default()
        }),
        ..Default::default()
    }
}
