//! Plotly figures as the ClearML SDK stores them (`plot_str` of a plot event), read into
//! what can be drawn without a JavaScript library: line/scatter series, bars, a heatmap
//! with its values, a table, or 3D data as a table with a note. Stored values are not
//! trusted: numbers may be strings (`"nan"`, `"inf"`), JSON may hold bare `NaN`, arrays
//! may be huge; everything here is bounded.

mod bars;
mod heatmap;
mod parse;

pub use bars::render_bars;
pub use heatmap::render_heatmap;
pub use parse::{parse, parse_str};

use crate::Series;

/// Table rows kept (a report_table of a big DataFrame is cut, with a note).
pub const MAX_TABLE_ROWS: usize = 1000;
/// Heatmap rows and columns kept.
pub const MAX_CELLS_SIDE: usize = 200;
/// Points kept per line/scatter trace (thinned evenly beyond).
pub const MAX_POINTS: usize = 20_000;
/// Bars (categories) kept.
pub const MAX_BARS: usize = 2000;

/// A figure ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The figure's own title (`layout.title`), possibly empty.
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub kind: Kind,
    /// What could not be shown, as sentences for the reader.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Lines(Vec<Series>),
    Bars(Bars),
    Heatmap(Heatmap),
    /// A table: header and rows of cell texts. 3D data comes as one too (with a note).
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Nothing drawable: the trace types found.
    Other(Vec<String>),
}

/// Bars in categories, one value per category per trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub categories: Vec<String>,
    pub traces: Vec<(String, Vec<f64>)>,
    /// `barmode: stack`: traces on top of each other instead of side by side.
    pub stacked: bool,
}

/// A grid of values, `z[row][col]`, rows labelled by `y`, columns by `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub x: Vec<String>,
    pub y: Vec<String>,
    pub z: Vec<Vec<f64>>,
    /// Row 0 on top (a confusion matrix's `yaxis.autorange: reversed`); else at the bottom.
    pub reversed: bool,
}
