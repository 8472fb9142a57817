//! The import pipeline: sample → dialect → column plan → streamed, parallel parse → typed table.
//!
//! The file is read in blocks; a quote-aware scanner cuts the decoded text at record ends
//! into chunks that rayon parses in parallel, each appended to the columns in file order as
//! soon as the ones before it are. When the whole file proves a sample-based guess wrong (a
//! column numeric in the sample holds text later, or bytes that are not UTF-8), the import
//! starts again with the corrected plan — rare, and simpler than converting cells in flight.

use rayon::prelude::*;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::column::{Column, Table};
use super::decode::{decode_all, detect_encoding, looks_binary, Encoding, StreamDecoder};
use super::infer::{finish_column, plan_for, repair_names, suggest_role};
use super::options::{Dialect, ImportOptions};
use super::parse::{
    for_each_record, parse_chunk, parse_chunk_into, trim, ChunkOutput, MissingTokens, ParseConfig,
    RaggedRecord, RecordScanner, Sink, SinkPlan, StringSink,
};
use super::sniff::{sniff_decimal_comma, sniff_delimiter, sniff_header};
use super::ImportError;

/// Bytes read to sniff the dialect and to show the preview.
const SAMPLE_BYTES: usize = 1 << 20;
/// Bytes read from the file at a time; about one parse chunk each.
const BLOCK_BYTES: usize = 2 << 20;
/// Rows shown in the preview.
pub const PREVIEW_ROWS: usize = 100;

/// Shared between an import and whoever watches it: bytes done, bytes total, cancel flag.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub total: AtomicU64,
    pub cancel: AtomicBool,
    /// What the work is doing now, for the status bar ("fold 3/5, …, iteration 40").
    stage: std::sync::Mutex<String>,
}

impl Progress {
    /// Fraction done in 0..=1.
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
    }

    /// Say what the work is doing now.
    pub fn set_stage(&self, stage: &str) {
        if let Ok(mut current) = self.stage.lock() {
            current.clear();
            current.push_str(stage);
        }
    }

    /// What the work is doing now (empty if it never said).
    pub fn stage(&self) -> String {
        self.stage.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Ask the work to stop at its next check.
    pub fn request_cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    fn check(&self) -> Result<(), ImportError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(ImportError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// What the import dialog shows before the user commits: the dialect and the first rows.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The first rows (at most [`PREVIEW_ROWS`]) typed as the sample suggests.
    pub table: Table,
    /// Whether the sample was the whole file (so types and counts are final).
    pub complete: bool,
    /// Rows in the sample (all rows of the file when `complete`).
    pub sample_rows: usize,
    /// Size of the file in bytes.
    pub file_bytes: u64,
}

/// Everything decided before the full read.
struct Plan {
    dialect: Dialect,
    /// Encoding came from detection, not the user (so it may be revised).
    encoding_detected: bool,
    names: Vec<String>,
    blank_names: Vec<bool>,
    plans: Vec<SinkPlan>,
    notices: Vec<String>,
    estimated_rows: usize,
}

/// Read the first rows of a file and resolve its dialect, for the import dialog.
pub fn preview_csv(path: &Path, options: &ImportOptions) -> Result<Preview, ImportError> {
    let shown = path.display().to_string();
    let (sample, file_bytes) = read_sample(path, &shown)?;
    let complete = sample.len() as u64 == file_bytes;
    let (plan, text) = make_plan(&shown, &sample, complete, file_bytes, options)?;
    let cfg = parse_config(&plan, options);
    let out = parse_chunk(&text, &cfg, plan.dialect.has_header);
    if let Some(ragged) = &out.ragged {
        if complete || ragged.offset + ragged.len < text.len() {
            return Err(ragged_error(
                &shown,
                &text,
                0,
                ragged,
                plan.plans.len(),
                cfg.delimiter,
            ));
        }
    }
    let mut notices = plan.notices.clone();
    if out.skipped_ragged > 0 {
        notices.push(skipped_notice(out.skipped_ragged));
    }
    let sample_rows = out.sinks.first().map_or(0, sink_rows);
    let sinks = out
        .sinks
        .into_iter()
        .map(|s| truncate_sink(s, PREVIEW_ROWS))
        .collect();
    let table = build_table(path, String::new(), &plan, sinks, options, notices);
    Ok(Preview {
        table,
        complete,
        sample_rows,
        file_bytes,
    })
}

/// Import a whole CSV file into a typed table, reporting progress and honouring cancel.
pub fn import_csv(
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<Table, ImportError> {
    let shown = path.display().to_string();
    let (sample, file_bytes) = read_sample(path, &shown)?;
    progress.total.store(file_bytes, Ordering::Relaxed);
    let complete = sample.len() as u64 == file_bytes;
    let (mut plan, _) = make_plan(&shown, &sample, complete, file_bytes, options)?;
    drop(sample);
    loop {
        progress.done.store(0, Ordering::Relaxed);
        let streamed = stream(path, &shown, &plan, options, progress)?;
        let mut revised = false;
        for (i, sink) in streamed.sinks.iter().enumerate() {
            if let Sink::Number(n) = sink {
                if n.unparsed > 0 && plan.plans[i] == (SinkPlan::Number { forced: false }) {
                    plan.plans[i] = SinkPlan::Strings;
                    revised = true;
                }
            }
        }
        if streamed.invalid_utf8
            && plan.encoding_detected
            && plan.dialect.encoding == Encoding::Utf8
        {
            plan.dialect.encoding = Encoding::Windows1252;
            plan.notices.push(windows_1252_notice());
            revised = true;
        }
        if revised {
            continue;
        }
        let mut notices = plan.notices.clone();
        if streamed.skipped_ragged > 0 {
            notices.push(skipped_notice(streamed.skipped_ragged));
        }
        let table = build_table(
            path,
            streamed.fingerprint,
            &plan,
            streamed.sinks,
            options,
            notices,
        );
        return Ok(table);
    }
}

fn read_sample(path: &Path, shown: &str) -> Result<(Vec<u8>, u64), ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::io(shown, &e))?;
    let file_bytes = file
        .metadata()
        .map_err(|e| ImportError::io(shown, &e))?
        .len();
    let mut sample = Vec::with_capacity(SAMPLE_BYTES.min(file_bytes as usize));
    file.take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| ImportError::io(shown, &e))?;
    if sample.is_empty() {
        return Err(ImportError::content(shown, "the file is empty"));
    }
    Ok((sample, file_bytes))
}

fn windows_1252_notice() -> String {
    "the file is not valid UTF-8; it was decoded as Windows-1252".to_string()
}

fn skipped_notice(count: u64) -> String {
    format!("skipped {count} row(s) with the wrong number of fields")
}

/// Resolve the dialect and the column plan from the sample. Returns the decoded sample cut
/// at its last whole record.
fn make_plan(
    shown: &str,
    sample: &[u8],
    complete: bool,
    file_bytes: u64,
    options: &ImportOptions,
) -> Result<(Plan, Vec<u8>), ImportError> {
    let mut notices = Vec::new();
    let encoding_detected = options.encoding == Encoding::Auto;
    let encoding = match options.encoding {
        Encoding::Auto => detect_encoding(sample, complete),
        chosen => chosen,
    };
    if encoding_detected && encoding == Encoding::Windows1252 {
        notices.push(windows_1252_notice());
    }
    let decoded = decode_all(encoding, sample, complete);
    if looks_binary(&decoded[..decoded.len().min(64 << 10)]) {
        return Err(ImportError::content(
            shown,
            "this looks like a binary file, not CSV text",
        ));
    }
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&decoded));
    let text = whole_records(decoded, delimiter, complete);
    let missing = MissingTokens::new(&options.missing_tokens);
    let decimal_comma = options
        .decimal_comma
        .unwrap_or_else(|| sniff_decimal_comma(&text, delimiter));
    let has_header = options
        .has_header
        .unwrap_or_else(|| sniff_header(&text, delimiter, decimal_comma, &missing));
    let first = first_record(&text, delimiter).ok_or_else(|| {
        ImportError::content(shown, "the file is empty: it holds only blank lines")
    })?;
    let raw_names: Vec<String> = if has_header {
        first
    } else {
        (1..=first.len()).map(|i| format!("column_{i}")).collect()
    };
    let blank_names = raw_names.iter().map(|n| n.trim().is_empty()).collect();
    let (names, name_notices) = repair_names(&raw_names);
    notices.extend(name_notices);

    let dialect = Dialect {
        delimiter,
        has_header,
        decimal_comma,
        encoding,
    };
    // A column is numeric when every cell of the sample but the missing ones reads as a
    // number: read the sample as numbers and see which columns met a cell that does not.
    let as_numbers = ParseConfig {
        delimiter,
        decimal_comma,
        missing: missing.clone(),
        plans: vec![SinkPlan::Number { forced: false }; names.len()],
        skip_ragged_rows: true,
    };
    let out = parse_chunk(&text, &as_numbers, has_header);
    let plans = out
        .sinks
        .iter()
        .enumerate()
        .map(|(i, sink)| {
            let numeric = matches!(sink, Sink::Number(numbers) if numbers.unparsed == 0);
            plan_for(options.kind_override(i), numeric)
        })
        .collect();
    let sample_rows = out.sinks.first().map_or(0, sink_rows);
    let estimated_rows = if complete || text.is_empty() {
        sample_rows
    } else {
        ((sample_rows as f64) * (file_bytes as f64 / text.len() as f64) * 1.02) as usize
    };
    let plan = Plan {
        dialect,
        encoding_detected,
        names,
        blank_names,
        plans,
        notices,
        estimated_rows,
    };
    Ok((plan, text))
}

/// Cut decoded text after its last complete record (unless it is the whole file).
fn whole_records(mut text: Vec<u8>, delimiter: u8, complete: bool) -> Vec<u8> {
    if complete {
        return text;
    }
    let (_, last) = RecordScanner::new(delimiter).scan_to_last(&text, 0, false);
    if let Some((end, _)) = last {
        text.truncate(end);
    }
    text
}

fn first_record(text: &[u8], delimiter: u8) -> Option<Vec<String>> {
    let mut first = None;
    for_each_record(text, delimiter, |record, _, _| {
        if record.is_blank() {
            return true;
        }
        first = Some(
            record
                .fields()
                .map(|f| String::from_utf8_lossy(trim(f)).into_owned())
                .collect(),
        );
        false
    });
    first
}

fn parse_config(plan: &Plan, options: &ImportOptions) -> ParseConfig {
    ParseConfig {
        delimiter: plan.dialect.delimiter,
        decimal_comma: plan.dialect.decimal_comma,
        missing: MissingTokens::new(&options.missing_tokens),
        plans: plan.plans.clone(),
        skip_ragged_rows: options.skip_ragged_rows,
    }
}

/// The result of one pass over the file.
struct Streamed {
    sinks: Vec<Sink>,
    skipped_ragged: u64,
    invalid_utf8: bool,
    fingerprint: String,
}

/// Decoded text that ends at a record end, with the number of lines before it.
struct Chunk {
    /// The text is `buffer[..len]`; the buffer is reused for later chunks once parsed.
    buffer: Vec<u8>,
    len: usize,
    /// Newlines in the text (counted by the scanner anyway; they bound the rows).
    newlines: u64,
    first_line: u64,
    /// File bytes read when this chunk was cut (for progress).
    bytes_read: u64,
}

impl Chunk {
    fn text(&self) -> &[u8] {
        &self.buffer[..self.len]
    }
}

/// A chunk parsed by a worker, waiting for its turn to be appended.
struct Parsed {
    chunk: Chunk,
    output: ChunkOutput,
    /// Whether the worker was asked to take the first record as the header.
    took_header: bool,
}

/// One pass over the whole file with a fixed plan.
///
/// Three kinds of work overlap: a reader thread reads, hashes, decodes and cuts chunks;
/// rayon workers parse each chunk as soon as it is cut; this thread appends the parsed
/// chunks to the columns in file order and hands their buffers back to the reader. Nothing
/// waits for a whole batch, so neither the workers nor the reader idle while the other works.
fn stream(
    path: &Path,
    shown: &str,
    plan: &Plan,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<Streamed, ImportError> {
    let cfg = parse_config(plan, options);
    let file = std::fs::File::open(path).map_err(|e| ImportError::io(shown, &e))?;
    // Chunks cut or parsed but not yet appended: enough to keep every worker busy while
    // this thread appends, few enough to bound memory (a chunk is about BLOCK_BYTES).
    let max_in_flight = 2 * rayon::current_num_threads().max(1) + 2;
    let (sender, receiver) = crossbeam_channel::bounded::<Chunk>(2);
    let (spare_sender, spare_receiver) = crossbeam_channel::unbounded::<Vec<u8>>();
    // Emptied sinks of appended chunks, for the workers to fill again.
    let (emptied_sender, emptied_receiver) = crossbeam_channel::unbounded::<Vec<Sink>>();
    let mut sinks: Vec<Sink> = cfg
        .plans
        .iter()
        .map(|&p| Sink::new(p, plan.estimated_rows))
        .collect();
    let mut header_pending = plan.dialect.has_header;
    let (mut skipped_ragged, mut invalid_utf8) = (0, false);
    std::thread::scope(|scope| {
        let reader =
            scope.spawn(|| cut_chunks(file, shown, plan.dialect, progress, sender, spare_receiver));
        // Moved in so that leaving early (an error) drops them, which stops the reader.
        let (receiver, spare_sender) = (receiver, spare_sender);
        let (done_sender, done_receiver) = crossbeam_channel::unbounded::<(u64, Parsed)>();
        let never = crossbeam_channel::never();
        // Called from a rayon worker (inside a parallel iterator, say), this thread must not
        // wait for tasks it spawned: the pool may have no other thread free to run them. It
        // then parses every chunk itself, still alongside the reader.
        let on_worker = rayon::current_thread_index().is_some();
        rayon::in_place_scope(|workers| -> Result<(), ImportError> {
            let (mut cut, mut appended) = (0_u64, 0_u64);
            let mut waiting = std::collections::BTreeMap::new();
            let mut reader_done = false;
            while !(reader_done && appended == cut) {
                progress.check()?;
                let can_take = !reader_done && cut - appended < max_in_flight as u64;
                let chunks = if can_take { &receiver } else { &never };
                crossbeam_channel::select! {
                    recv(chunks) -> chunk => match chunk {
                        Ok(chunk) => {
                            // Only the first chunk looks for the header; should it hold
                            // no record at all, the next one is parsed again below.
                            let took_header = header_pending && cut == 0;
                            let (cfg, emptied) = (&cfg, &emptied_receiver);
                            let parse = move || {
                                let output = parse_chunk_into(
                                    chunk.text(),
                                    chunk.newlines as usize,
                                    cfg,
                                    took_header,
                                    emptied.try_recv().ok(),
                                );
                                Parsed { chunk, output, took_header }
                            };
                            if on_worker {
                                waiting.insert(cut, parse());
                            } else {
                                let (done_sender, seq) = (done_sender.clone(), cut);
                                workers.spawn(move |_| {
                                    // Fails only when the import already stopped.
                                    let _ = done_sender.send((seq, parse()));
                                });
                            }
                            cut += 1;
                        }
                        Err(_) => reader_done = true,
                    },
                    recv(done_receiver) -> parsed => {
                        if let Ok((seq, parsed)) = parsed {
                            waiting.insert(seq, parsed);
                        }
                    },
                }
                while let Some(mut parsed) = waiting.remove(&appended) {
                    if header_pending && !parsed.took_header {
                        parsed.output = parse_chunk(parsed.chunk.text(), &cfg, true);
                    }
                    let Parsed { chunk, output, .. } = parsed;
                    if output.header.is_some() {
                        header_pending = false;
                    }
                    if let Some(ragged) = &output.ragged {
                        let (plans, delimiter) = (cfg.plans.len(), cfg.delimiter);
                        return Err(ragged_error(
                            shown,
                            chunk.text(),
                            chunk.first_line,
                            ragged,
                            plans,
                            delimiter,
                        ));
                    }
                    skipped_ragged += output.skipped_ragged;
                    invalid_utf8 |= output.invalid_utf8;
                    let mut parts = output.sinks;
                    for (sink, part) in sinks.iter_mut().zip(&mut parts) {
                        sink.append(part);
                    }
                    // For a later chunk (or dropped with the channel at the end).
                    let _ = emptied_sender.send(parts);
                    progress.done.store(chunk.bytes_read, Ordering::Relaxed);
                    // The reader may have finished; then the buffer is simply dropped.
                    let _ = spare_sender.send(chunk.buffer);
                    appended += 1;
                }
            }
            Ok(())
        })?;
        drop(receiver);
        let fingerprint = reader
            .join()
            .map_err(|_| ImportError::content(shown, "the reader thread failed"))??;
        Ok(Streamed {
            sinks: std::mem::take(&mut sinks),
            skipped_ragged,
            invalid_utf8,
            fingerprint,
        })
    })
}

/// Room for a block read plus the start of a record carried over from the block before.
const CHUNK_BYTES: usize = BLOCK_BYTES + (64 << 10);

/// Read, hash and decode the file, sending chunks that end at record ends. Buffers come
/// back through `spares` once parsed, so the same few are filled again and again. Returns
/// the blake3 fingerprint of the file's bytes.
fn cut_chunks(
    mut file: std::fs::File,
    shown: &str,
    dialect: Dialect,
    progress: &Progress,
    sender: crossbeam_channel::Sender<Chunk>,
    spares: crossbeam_channel::Receiver<Vec<u8>>,
) -> Result<String, ImportError> {
    let mut hasher = blake3::Hasher::new();
    let mut decoder = StreamDecoder::new(dialect.encoding);
    let mut scanner = RecordScanner::new(dialect.delimiter);
    // A fresh zeroed buffer costs page faults on first use, not a memset.
    let spare = || spares.try_recv().unwrap_or_else(|_| vec![0u8; CHUNK_BYTES]);
    // Text of the chunk being gathered is `buffer[..filled]`.
    let mut buffer = spare();
    let mut filled = 0;
    // Only for encodings that need decoding: the raw block and its UTF-8.
    let (mut block, mut decoded) = (Vec::new(), Vec::new());
    let (mut scanned, mut first_line, mut bytes_read) = (0, 0_u64, 0_u64);
    loop {
        if progress.cancel.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled);
        }
        if buffer.len() < filled + BLOCK_BYTES {
            // A record longer than a block: grow this buffer.
            buffer.resize(filled + BLOCK_BYTES, 0);
        }
        let eof = if decoder.passes_through() {
            // UTF-8: read straight into place, dropping a byte-order mark.
            let target = &mut buffer[filled..filled + BLOCK_BYTES];
            let n = read_full(&mut file, target).map_err(|e| ImportError::io(shown, &e))?;
            hasher.update(&target[..n]);
            bytes_read += n as u64;
            let skip = decoder.skip_bom(&target[..n]);
            if skip > 0 {
                buffer.copy_within(filled + skip..filled + n, filled);
            }
            filled += n - skip;
            n == 0
        } else {
            block.resize(BLOCK_BYTES, 0);
            let n = read_full(&mut file, &mut block).map_err(|e| ImportError::io(shown, &e))?;
            hasher.update(&block[..n]);
            bytes_read += n as u64;
            decoded.clear();
            decoder.decode(&block[..n], n == 0, &mut decoded);
            if buffer.len() < filled + decoded.len() {
                buffer.resize(filled + decoded.len(), 0);
            }
            buffer[filled..filled + decoded.len()].copy_from_slice(&decoded);
            filled += decoded.len();
            n == 0
        };
        let (stopped, last_end) = scanner.scan_to_last(&buffer[..filled], scanned, eof);
        scanned = stopped;
        if eof {
            if scanner.in_quote() {
                return Err(ImportError::At {
                    path: shown.to_string(),
                    line: scanner.quote_line + 1,
                    column: 1,
                    message:
                        "a quoted field opened on this line never closes (missing closing quote)"
                            .into(),
                });
            }
            let chunk = Chunk {
                buffer,
                len: filled,
                newlines: scanner.lines - first_line,
                first_line,
                bytes_read,
            };
            let _ = sender.send(chunk);
            break;
        }
        if let Some((end, line)) = last_end {
            // The start of the next record moves to a new buffer.
            let mut next = spare();
            let tail = filled - end;
            if next.len() < tail + BLOCK_BYTES {
                next.resize(tail + BLOCK_BYTES, 0);
            }
            next[..tail].copy_from_slice(&buffer[end..filled]);
            let chunk = Chunk {
                buffer: std::mem::replace(&mut buffer, next),
                len: end,
                newlines: line - first_line,
                first_line,
                bytes_read,
            };
            (filled, scanned, first_line) = (tail, scanned - end, line);
            if sender.send(chunk).is_err() {
                // The consumer stopped (an error or cancel); nothing more to do.
                return Err(ImportError::Cancelled);
            }
        }
    }
    Ok(hasher.finalize().to_hex().to_string())
}

fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// `file:line:column: expected N fields, found M`, positioned at the first extra field or
/// at the end of a short record.
fn ragged_error(
    shown: &str,
    chunk: &[u8],
    first_line: u64,
    ragged: &RaggedRecord,
    expected: usize,
    delimiter: u8,
) -> ImportError {
    let before = &chunk[..ragged.offset];
    let line = first_line + memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let raw = &chunk[ragged.offset..(ragged.offset + ragged.len).min(chunk.len())];
    let column = ragged_column(raw, delimiter, expected);
    let hint = if ragged.found > expected {
        "check for an unquoted delimiter in a value, or choose to skip such rows"
    } else {
        "choose to skip such rows to import the rest"
    };
    ImportError::At {
        path: shown.to_string(),
        line,
        column,
        message: format!(
            "expected {expected} fields, found {} ({hint})",
            ragged.found
        ),
    }
}

/// 1-based character column where field `expected + 1` starts, or the end of the record.
fn ragged_column(raw: &[u8], delimiter: u8, expected: usize) -> u64 {
    let mut fields = 1;
    let mut in_quote = false;
    let mut chars = 0_u64;
    for &b in raw {
        if (b == b'\n' || b == b'\r') && !in_quote {
            break;
        }
        if b == b'"' {
            in_quote = !in_quote;
        } else if b == delimiter && !in_quote {
            fields += 1;
            if fields > expected {
                return chars + 2;
            }
        }
        if b & 0xC0 != 0x80 {
            chars += 1;
        }
    }
    chars + 1
}

fn sink_rows(sink: &Sink) -> usize {
    match sink {
        Sink::Number(s) => s.values.len(),
        Sink::Strings(s) => s.codes.len(),
    }
}

fn truncate_sink(sink: Sink, rows: usize) -> Sink {
    match sink {
        Sink::Number(mut s) => {
            s.values.truncate(rows);
            Sink::Number(s)
        }
        Sink::Strings(s) => {
            // Keep only the levels the first rows use, in their order.
            let mut kept = StringSink::default();
            let mut remap = hashbrown::HashMap::new();
            for &code in s.codes.iter().take(rows) {
                let new = if code == super::column::MISSING_CODE {
                    code
                } else {
                    *remap.entry(code).or_insert_with(|| {
                        kept.levels.push(s.levels[code as usize].clone());
                        kept.levels.len() as u32 - 1
                    })
                };
                kept.codes.push(new);
            }
            Sink::Strings(kept)
        }
    }
}

fn build_table(
    path: &Path,
    fingerprint: String,
    plan: &Plan,
    sinks: Vec<Sink>,
    options: &ImportOptions,
    mut notices: Vec<String>,
) -> Table {
    let finished: Vec<_> = plan
        .names
        .iter()
        .cloned()
        .zip(sinks)
        .enumerate()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(i, (name, sink))| finish_column(name, sink, options.kind_override(i)))
        .collect();
    let mut columns: Vec<Column> = Vec::with_capacity(finished.len());
    for (i, f) in finished.into_iter().enumerate() {
        notices.extend(f.notices);
        let mut column = f.column;
        column.role = options
            .role_override(i)
            .unwrap_or_else(|| suggest_role(&column, plan.blank_names[i]));
        columns.push(column);
    }
    // At most one target: the one chosen, else the first suggested.
    let target = super::column::Role::Target;
    let chosen = (0..columns.len()).find(|&i| options.role_override(i) == Some(target));
    let keep = chosen.or_else(|| columns.iter().position(|c| c.role == target));
    for (i, column) in columns.iter_mut().enumerate() {
        if column.role == target && Some(i) != keep {
            column.role = super::column::Role::Feature;
        }
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".into());
    Table {
        name,
        source: path.to_path_buf(),
        fingerprint,
        dialect: plan.dialect,
        options: options.clone(),
        columns,
        notices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns as comparable text: values by their bits, codes resolved to their levels.
    fn columns(sinks: &[Sink]) -> Vec<Vec<String>> {
        sinks
            .iter()
            .map(|sink| match sink {
                Sink::Number(n) => n.values.iter().map(|v| v.to_bits().to_string()).collect(),
                Sink::Strings(s) => s
                    .codes
                    .iter()
                    .map(|&c| s.levels.get(c as usize).cloned().unwrap_or_default())
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn streamed_chunks_read_as_the_whole_text_does() {
        // Several blocks of text, with quoted fields (some over many lines) and CRLF line
        // ends, so that chunks are cut everywhere, inside quotes too.
        let mut text = String::from("\u{feff}id,note,value\r\n");
        let notes = [
            "plain",
            "\"a, b\"",
            "\"two\nlines\"",
            "\"say \"\"hi\"\"\"",
            "",
        ];
        for i in 0..400_000 {
            let note = notes[i % notes.len()];
            text.push_str(&format!("{i},{note},{}.{:03}\r\n", i % 977, i % 1000));
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("chunks.csv");
        std::fs::write(&path, &text).expect("written");
        assert!(text.len() > 3 * BLOCK_BYTES);

        let options = ImportOptions::default();
        let shown = path.display().to_string();
        let (sample, file_bytes) = read_sample(&path, &shown).expect("a sample");
        let (plan, _) = make_plan(&shown, &sample, false, file_bytes, &options).expect("a plan");
        let streamed = stream(&path, &shown, &plan, &options, &Progress::default()).expect("read");

        let whole = decode_all(plan.dialect.encoding, text.as_bytes(), true);
        let expected = parse_chunk(&whole, &parse_config(&plan, &options), true);
        assert_eq!(columns(&streamed.sinks), columns(&expected.sinks));
        assert_eq!(
            streamed.fingerprint,
            blake3::hash(text.as_bytes()).to_hex().to_string()
        );

        // From inside a pool's only thread, with no other to run tasks.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        let nested = pool
            .install(|| stream(&path, &shown, &plan, &options, &Progress::default()))
            .expect("read");
        assert_eq!(columns(&nested.sinks), columns(&expected.sinks));
    }

    #[test]
    fn a_chosen_target_wins_over_a_suggested_one() {
        use crate::data::Role;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("titanic.csv");
        std::fs::write(&path, "survived,class,age\n1,First,30\n0,Third,22\n").expect("written");
        let roles = |options: &ImportOptions| -> Vec<Role> {
            let table = import_csv(&path, options, &Progress::default()).expect("imported");
            table.columns.iter().map(|c| c.role).collect()
        };
        // `class` is suggested by its name; choosing `survived` makes it the one target.
        let mut options = ImportOptions::default();
        assert_eq!(
            roles(&options),
            [Role::Feature, Role::Target, Role::Feature]
        );
        options.set_role(0, Some(Role::Target));
        assert_eq!(
            roles(&options),
            [Role::Target, Role::Feature, Role::Feature]
        );
    }
}
