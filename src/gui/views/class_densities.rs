//! Naive Bayes as it sees one feature: each class's Gaussian (from the class's mean and
//! variance of the feature) drawn over the others, in the column's own units where the
//! recipe scaled it, with the density read out on hover.

use eframe::egui;
use egui_plot::{HoverPosition, Line, Plot, PlotPoints, VLine};

use super::compare_plots::{hovered, run_color};
use super::plot_legend::legend_below;
use crate::ml::learned::ClassGaussianSummary;
use crate::ml::prep::{Feature, FittedRecipe, FittedStep};

/// Points on each curve.
const POINTS: usize = 200;
/// How far each curve reaches either side of its mean, in its standard deviations.
const REACH: f64 = 4.0;

/// One class's density over a feature.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDensity {
    pub class: String,
    /// Mean and standard deviation in the units drawn.
    pub mean: f64,
    pub sd: f64,
    /// Points of the curve; none when the class holds (almost) one value, whose spike no
    /// grid of points would catch: it is drawn as a line at its mean instead.
    pub points: Vec<[f64; 2]>,
}

/// A class spread less than this share of the widest class's spread is read as one value.
const POINT_MASS: f64 = 1e-3;

/// Each class's Gaussian over feature `j`, in the column's units when the recipe centred and
/// scaled it (`x = z · scale + center`, the density divided by `scale`), else in the
/// feature's own (a level's 0/1 indicator). Classes with no spread are left out.
pub fn densities(
    j: usize,
    feature: &Feature,
    classes: &[ClassGaussianSummary],
    recipe: &FittedRecipe,
) -> Vec<ClassDensity> {
    let (center, scale) = match (&feature.level, recipe_step(recipe, &feature.column)) {
        (None, Some(FittedStep::Numeric { center, scale, .. })) if *scale > 0.0 => {
            (*center, *scale)
        }
        _ => (0.0, 1.0),
    };
    let curves: Vec<(String, f64, f64)> = classes
        .iter()
        .filter_map(|class| {
            let mean = class.mean.get(j)? * scale + center;
            let sd = class.variance.get(j)?.sqrt() * scale;
            (sd > 0.0 && sd.is_finite() && mean.is_finite())
                .then(|| (class.class.clone(), mean, sd))
        })
        .collect();
    let widest = curves.iter().map(|(_, _, s)| *s).fold(0.0, f64::max);
    let spread = |sd: f64| if sd < POINT_MASS * widest { 0.0 } else { sd };
    let low = curves
        .iter()
        .map(|(_, m, s)| m - REACH * spread(*s))
        .fold(f64::INFINITY, f64::min);
    let high = curves
        .iter()
        .map(|(_, m, s)| m + REACH * spread(*s))
        .fold(f64::NEG_INFINITY, f64::max);
    curves
        .into_iter()
        .map(|(class, mean, sd)| {
            if spread(sd) == 0.0 {
                return ClassDensity {
                    class,
                    mean,
                    sd,
                    points: Vec::new(),
                };
            }
            let points = (0..=POINTS)
                .map(|i| {
                    let x = low + (high - low) * i as f64 / POINTS as f64;
                    [x, gaussian(x, mean, sd)]
                })
                .collect();
            ClassDensity {
                class,
                mean,
                sd,
                points,
            }
        })
        .collect()
}

fn recipe_step<'a>(recipe: &'a FittedRecipe, column: &str) -> Option<&'a FittedStep> {
    recipe
        .columns
        .iter()
        .find(|c| c.column == column)
        .map(|c| &c.step)
}

fn gaussian(x: f64, mean: f64, sd: f64) -> f64 {
    let z = (x - mean) / sd;
    (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
}

/// A feature to choose, and the classes' densities over it.
pub fn show(
    ui: &mut egui::Ui,
    features: &[Feature],
    classes: &[ClassGaussianSummary],
    recipe: &FittedRecipe,
    id: egui::Id,
) {
    if features.is_empty() || classes.is_empty() {
        return;
    }
    // A number's curves read better than a level's 0/1 indicator: the first number first.
    let first_number = features.iter().position(|f| f.level.is_none()).unwrap_or(0);
    let mut chosen: usize = ui.data(|d| d.get_temp(id)).unwrap_or(first_number);
    chosen = chosen.min(features.len() - 1);
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Class densities of").id;
        egui::ComboBox::from_id_salt(id.with("feature"))
            .selected_text(features[chosen].name())
            .show_ui(ui, |ui| {
                for (j, feature) in features.iter().enumerate() {
                    ui.selectable_value(&mut chosen, j, feature.name());
                }
            })
            .response
            .labelled_by(label);
    });
    ui.data_mut(|d| d.insert_temp(id, chosen));
    let feature = &features[chosen];
    let curves = densities(chosen, feature, classes, recipe);
    if curves.is_empty() {
        ui.weak("No class spreads this feature: there is no density to draw.");
        return;
    }
    let x_name = feature.name();
    let read_out = |position: &HoverPosition<'_>| -> Option<String> {
        let (at, near) = hovered(position);
        let text = format!("{x_name} {:.4}\ndensity {:.4}", at.x, at.y);
        Some(match near {
            Some((class, _)) => format!("{class}\n{text}"),
            None => text,
        })
    };
    let width = ui.available_width().min(520.0);
    Plot::new(id.with("plot"))
        .width(width)
        .height(180.0)
        .x_axis_label(feature.name())
        .y_axis_label("density")
        .include_y(0.0)
        .allow_scroll(false)
        .label_formatter(read_out)
        .show(ui, |plot| {
            for (k, curve) in curves.iter().enumerate() {
                let color = run_color(class_index(classes, &curve.class, k));
                if curve.points.is_empty() {
                    plot.vline(
                        VLine::new(curve.class.as_str(), curve.mean)
                            .color(color)
                            .width(2.0),
                    );
                    continue;
                }
                let points = PlotPoints::new(curve.points.clone());
                plot.line(
                    Line::new(curve.class.as_str(), points)
                        .color(color)
                        .width(2.0),
                );
            }
        });
    let legend: Vec<(String, egui::Color32)> = curves
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let text = if c.points.is_empty() {
                format!("{}: every row {:.3}", c.class, c.mean)
            } else {
                format!("{}: mean {:.3}, sd {:.3}", c.class, c.mean, c.sd)
            };
            (text, run_color(class_index(classes, &c.class, k)))
        })
        .collect();
    legend_below(ui, &legend);
}

/// A class's colour follows its place among all classes, so leaving one out repaints none.
fn class_index(classes: &[ClassGaussianSummary], class: &str, fallback: usize) -> usize {
    classes
        .iter()
        .position(|c| c.class == class)
        .unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::prep::{FittedColumn, FittedMissing};
    use eframe::egui::accesskit::Role as AccessRole;
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;

    fn recipe() -> FittedRecipe {
        FittedRecipe {
            columns: vec![
                FittedColumn {
                    column: "glu".into(),
                    step: FittedStep::Numeric {
                        fill: 120.0,
                        center: 120.0,
                        scale: 30.0,
                    },
                },
                FittedColumn {
                    column: "island".into(),
                    step: FittedStep::OneHot {
                        levels: vec!["Dream".into()],
                        missing: FittedMissing::Unseen,
                        infrequent: vec![],
                    },
                },
            ],
        }
    }

    fn features() -> Vec<Feature> {
        vec![
            Feature {
                column: "glu".into(),
                level: None,
            },
            Feature {
                column: "island".into(),
                level: Some("Dream".into()),
            },
        ]
    }

    fn classes() -> Vec<ClassGaussianSummary> {
        vec![
            ClassGaussianSummary {
                class: "No".into(),
                prior: 0.6,
                mean: vec![-0.5, 0.2],
                variance: vec![0.25, 0.16],
            },
            ClassGaussianSummary {
                class: "Yes".into(),
                prior: 0.4,
                mean: vec![1.0, 0.7],
                variance: vec![1.0, 0.21],
            },
        ]
    }

    #[test]
    fn a_scaled_features_densities_read_in_the_columns_units_and_integrate_to_one() {
        let curves = densities(0, &features()[0], &classes(), &recipe());
        assert_eq!(curves.len(), 2);
        // No: mean −0.5 · 30 + 120 = 105, sd 0.5 · 30 = 15.
        assert_eq!((curves[0].mean, curves[0].sd), (105.0, 15.0));
        assert_eq!((curves[1].mean, curves[1].sd), (150.0, 30.0));
        for curve in &curves {
            let step = curve.points[1][0] - curve.points[0][0];
            let area: f64 = curve
                .points
                .windows(2)
                .map(|w| (w[0][1] + w[1][1]) / 2.0 * step)
                .sum();
            assert!((area - 1.0).abs() < 0.01, "{area}");
            let peak = curve.points.iter().map(|p| p[1]).fold(0.0, f64::max);
            let expected = 1.0 / (curve.sd * (2.0 * std::f64::consts::PI).sqrt());
            assert!((peak - expected).abs() / expected < 0.01);
        }
        // A class that holds one value is a line at it, not a curve no grid would catch.
        let mut single = classes();
        single[0].variance[0] = 1e-12;
        let curves = densities(0, &features()[0], &single, &recipe());
        assert!(curves[0].points.is_empty() && curves[0].mean == 105.0);
        assert!(!curves[1].points.is_empty());
        // A level's indicator stays 0/1.
        let level = densities(1, &features()[1], &classes(), &recipe());
        assert!((level[0].mean - 0.2).abs() < 1e-12 && (level[0].sd - 0.4).abs() < 1e-12);
    }

    #[test]
    fn the_densities_of_the_chosen_feature_are_named_beneath_the_plot() {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(700.0, 500.0))
            .build_ui(|ui| {
                show(
                    ui,
                    &features(),
                    &classes(),
                    &recipe(),
                    egui::Id::unique("d"),
                );
            });
        harness.run();
        harness.get_by_label("No: mean 105.000, sd 15.000");
        harness.get_by_label("Yes: mean 150.000, sd 30.000");
        // Another feature, chosen in the list.
        harness.get_by_role(AccessRole::ComboBox).click();
        harness.run();
        harness.get_by_label("island=Dream").click();
        harness.run();
        harness.get_by_label("No: mean 0.200, sd 0.400");
    }
}
