//! Timing samples and the printed table.

use codemyspec_core::Result;
use std::future::Future;
use std::time::{Duration, Instant};

pub struct Timing(Vec<Duration>);

impl From<Vec<Duration>> for Timing {
    fn from(samples: Vec<Duration>) -> Self {
        Timing(samples)
    }
}

impl Timing {
    /// The `p`th percentile (nearest rank).
    pub fn percentile(&self, p: f64) -> Duration {
        let v = self.sorted();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.0.clone();
        v.sort();
        v
    }

    pub fn median(&self) -> Duration {
        let v = self.sorted();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }

    pub fn worst(&self) -> Duration {
        self.sorted().last().copied().unwrap_or_default()
    }
}

/// Runs `f` `runs` times; each run returns the duration of the part it measures.
pub async fn measure<F, Fut>(runs: usize, mut f: F) -> Result<Timing>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Duration>>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        samples.push(f().await?);
    }
    Ok(Timing(samples))
}

/// Times one future.
pub async fn timed<T>(fut: impl Future<Output = Result<T>>) -> Result<(T, Duration)> {
    let t = Instant::now();
    let out = fut.await?;
    Ok((out, t.elapsed()))
}

pub struct Report {
    header: String,
    rows: Vec<[String; 4]>,
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

impl Report {
    pub fn new() -> Report {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
        Report {
            header: format!("SQLite files in temp dirs (WAL, synchronous=NORMAL); {cores} cores"),
            rows: Vec::new(),
        }
    }

    /// A section heading in the table.
    pub fn section(&mut self, title: &str) {
        self.rows.push([format!("— {title}"), String::new(), String::new(), String::new()]);
    }

    /// A figure that is a plain value (a count, a ratio).
    pub fn value(&mut self, what: &str, value: String, note: String, verdict: String) {
        self.rows.push([what.into(), value, note, verdict]);
    }

    pub fn rate(&mut self, what: &str, rows: usize, took: Duration) {
        let per_s = rows as f64 / took.as_secs_f64().max(1e-9);
        self.rows.push([
            what.into(),
            format!("{per_s:.0} rows/s"),
            format!("{rows} rows in {:.1} s", took.as_secs_f64()),
            String::new(),
        ]);
    }

    pub fn single(&mut self, what: &str, took: Duration) {
        self.rows.push([what.into(), ms(took), "once".into(), String::new()]);
    }

    pub fn timing(&mut self, what: &str, t: &Timing, target_ms: Option<f64>) {
        let verdict = match target_ms {
            Some(target) => {
                let ok = t.median().as_secs_f64() * 1000.0 < target;
                format!("target < {target} ms: {}", if ok { "met" } else { "MISSED" })
            }
            None => String::new(),
        };
        self.rows.push([what.into(), ms(t.median()), format!("worst {}", ms(t.worst())), verdict]);
    }

    pub fn print(&self) {
        println!("{}", self.header);
        let header = ["figure".to_owned(), "value".into(), "spread".into(), "target".into()];
        let rows: Vec<&[String; 4]> = std::iter::once(&header).chain(&self.rows).collect();
        let w: Vec<usize> =
            (0..4).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        for r in rows {
            let line = format!(
                "{:<a$}  {:>b$}  {:<c$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                a = w[0],
                b = w[1],
                c = w[2]
            );
            println!("{}", line.trim_end());
        }
    }
}
