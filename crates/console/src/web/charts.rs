//! Server-rendered SVG charts: the figures are computed here and drawn as plain SVG shapes (no
//! script, no inline style, so the strict CSP holds), each with a text title for screen readers;
//! the same figures are always in a table on the page as well.

/// A horizontal bar chart: one labelled bar per figure, scaled to the largest.
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub height: u32,
    pub bars: Vec<Bar>,
}

pub struct Bar {
    pub label: String,
    pub value: i64,
    /// Where the bar's row sits and how long the bar is, in the drawing's units.
    pub y: u32,
    pub width: u32,
    /// A second figure drawn as a mark on the bar (e.g. the quota), if any.
    pub mark: Option<u32>,
}

/// Room for the labels at the left, and the longest bar.
pub const LABEL_WIDTH: u32 = 230;
pub const BAR_SPACE: u32 = 300;
const ROW: u32 = 26;

impl BarChart {
    /// `figures`: label, value and an optional mark, in the order to draw them.
    pub fn new(id: &str, title: &str, figures: Vec<(String, i64, Option<i64>)>) -> Self {
        let largest = figures
            .iter()
            .map(|(_, v, m)| (*v).max(m.unwrap_or(0)))
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |v: i64| -> u32 {
            u32::try_from(v.max(0) * i64::from(BAR_SPACE) / largest).unwrap_or(BAR_SPACE)
        };
        let bars = figures
            .into_iter()
            .zip(0_u32..)
            .map(|((label, value, mark), i)| Bar {
                // A long unit name is cut, whole in the table below.
                label: if label.chars().count() > 32 {
                    format!("{}…", label.chars().take(31).collect::<String>())
                } else {
                    label
                },
                value,
                y: i * ROW,
                width: scale(value),
                mark: mark.map(scale),
            })
            .collect::<Vec<_>>();
        Self {
            id: id.to_string(),
            title: title.to_string(),
            height: u32::try_from(bars.len()).unwrap_or(0) * ROW + 4,
            bars,
        }
    }

    pub fn label_width(&self) -> u32 {
        LABEL_WIDTH
    }

    pub fn total_width(&self) -> u32 {
        LABEL_WIDTH + BAR_SPACE + 70
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_figure_or_mark() {
        let chart = BarChart::new(
            "c",
            "Số lượng",
            vec![
                ("Huyện A".into(), 50, Some(100)),
                ("Huyện B".into(), 100, None),
                ("Huyện C".into(), 0, None),
            ],
        );
        let widths: Vec<u32> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![BAR_SPACE / 2, BAR_SPACE, 0]);
        assert_eq!(chart.bars[0].mark, Some(BAR_SPACE));
        assert_eq!(chart.bars[2].y, 52);
        let empty = BarChart::new("e", "", vec![]);
        assert!(empty.bars.is_empty());
    }
}
