//! The Moré–Thuente line search (MINPACK-2's `dcsrch`/`dcstep`, as in scipy's L-BFGS-B):
//! finds a step along a descent direction that satisfies the strong Wolfe conditions,
//! one function-and-derivative evaluation at a time, so the caller decides between trials
//! whether to go on.

/// Sufficient-decrease constant (L-BFGS-B's 1e-3).
const FTOL: f64 = 1e-3;
/// Curvature constant (L-BFGS-B's 0.9).
const GTOL: f64 = 0.9;
/// Relative width of the bracket below which the search gives up (L-BFGS-B's 0.1).
const XTOL: f64 = 0.1;
/// Largest step tried (L-BFGS-B's bound for an unbounded problem).
pub const STEP_MAX: f64 = 1e10;

const P5: f64 = 0.5;
const P66: f64 = 0.66;
const XTRAPL: f64 = 1.1;
const XTRAPU: f64 = 4.0;

/// What the caller does after a trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Evaluate the function and its derivative at this step and call `step` again.
    Evaluate(f64),
    /// The last evaluated step is accepted: it satisfies both Wolfe conditions, or no better
    /// step can be told apart in floating point (MINPACK's warnings, which L-BFGS-B accepts).
    Accept,
}

/// A line search in progress along one direction.
#[derive(Debug, Clone)]
pub struct MoreThuente {
    brackt: bool,
    stage: u8,
    finit: f64,
    ginit: f64,
    gtest: f64,
    width: f64,
    width1: f64,
    stx: f64,
    fx: f64,
    gx: f64,
    sty: f64,
    fy: f64,
    gy: f64,
    stmin: f64,
    stmax: f64,
}

impl MoreThuente {
    /// Start from value `f0` and derivative `g0 < 0` at step 0, first trying step `first`.
    /// Returns the search and the first step to evaluate.
    pub fn start(f0: f64, g0: f64, first: f64) -> (MoreThuente, f64) {
        debug_assert!(g0 < 0.0, "not a descent direction: {g0}");
        let first = first.clamp(0.0, STEP_MAX);
        let search = MoreThuente {
            brackt: false,
            stage: 1,
            finit: f0,
            ginit: g0,
            gtest: FTOL * g0,
            width: STEP_MAX,
            width1: STEP_MAX / P5,
            stx: 0.0,
            fx: f0,
            gx: g0,
            sty: 0.0,
            fy: f0,
            gy: g0,
            stmin: 0.0,
            stmax: first + XTRAPU * first,
        };
        (search, first)
    }

    /// Take the value `f` and derivative `g` at step `stp` (the last step asked for).
    pub fn step(&mut self, stp: f64, f: f64, g: f64) -> Next {
        let ftest = self.finit + stp * self.gtest;
        if self.stage == 1 && f <= ftest && g >= 0.0 {
            self.stage = 2;
        }
        let stuck = (self.brackt
            && (stp <= self.stmin
                || stp >= self.stmax
                || self.stmax - self.stmin <= XTOL * self.stmax))
            || (stp == STEP_MAX && f <= ftest && g <= self.gtest)
            || (stp == 0.0 && (f > ftest || g >= self.gtest));
        let wolfe = f <= ftest && g.abs() <= GTOL * -self.ginit;
        if stuck || wolfe {
            return Next::Accept;
        }

        let mut stp = stp;
        if self.stage == 1 && f <= self.fx && f > ftest {
            // Work on the modified function ψ(α) = f(α) − f(0) − ftol·α·f'(0) until a step
            // with ψ ≤ 0 and f' ≥ 0 is found, as Moré and Thuente do.
            let mut x = Trial {
                st: self.stx,
                f: self.fx - self.stx * self.gtest,
                g: self.gx - self.gtest,
            };
            let mut y = Trial {
                st: self.sty,
                f: self.fy - self.sty * self.gtest,
                g: self.gy - self.gtest,
            };
            let p = Trial {
                st: stp,
                f: f - stp * self.gtest,
                g: g - self.gtest,
            };
            stp = dcstep(&mut x, &mut y, p, &mut self.brackt, self.stmin, self.stmax);
            self.stx = x.st;
            self.fx = x.f + x.st * self.gtest;
            self.gx = x.g + self.gtest;
            self.sty = y.st;
            self.fy = y.f + y.st * self.gtest;
            self.gy = y.g + self.gtest;
        } else {
            let mut x = Trial {
                st: self.stx,
                f: self.fx,
                g: self.gx,
            };
            let mut y = Trial {
                st: self.sty,
                f: self.fy,
                g: self.gy,
            };
            let p = Trial { st: stp, f, g };
            stp = dcstep(&mut x, &mut y, p, &mut self.brackt, self.stmin, self.stmax);
            (self.stx, self.fx, self.gx) = (x.st, x.f, x.g);
            (self.sty, self.fy, self.gy) = (y.st, y.f, y.g);
        }

        if self.brackt {
            // Bisect when the bracket did not shrink enough over two trials.
            if (self.sty - self.stx).abs() >= P66 * self.width1 {
                stp = self.stx + P5 * (self.sty - self.stx);
            }
            self.width1 = self.width;
            self.width = (self.sty - self.stx).abs();
            self.stmin = self.stx.min(self.sty);
            self.stmax = self.stx.max(self.sty);
        } else {
            self.stmin = stp + XTRAPL * (stp - self.stx);
            self.stmax = stp + XTRAPU * (stp - self.stx);
        }
        stp = stp.clamp(0.0, STEP_MAX);
        if self.brackt
            && (stp <= self.stmin
                || stp >= self.stmax
                || self.stmax - self.stmin <= XTOL * self.stmax)
        {
            stp = self.stx;
        }
        Next::Evaluate(stp)
    }
}

/// A step with its function value and derivative.
#[derive(Debug, Clone, Copy)]
struct Trial {
    st: f64,
    f: f64,
    g: f64,
}

/// MINPACK-2's `dcstep`: a safeguarded cubic or quadratic step from the best step `x`, the
/// other end of the interval `y` and the trial `p`; updates the interval and returns the
/// next trial step.
fn dcstep(
    x: &mut Trial,
    y: &mut Trial,
    p: Trial,
    brackt: &mut bool,
    stpmin: f64,
    stpmax: f64,
) -> f64 {
    let (stx, fx, dx) = (x.st, x.f, x.g);
    let (sty, fy, dy) = (y.st, y.f, y.g);
    let (stp, fp, dp) = (p.st, p.f, p.g);
    let sgnd = dp.signum() * dx.signum();
    let stpf = if fp > fx {
        // Higher value: the minimum is bracketed; take the cubic step if it is closer to stx
        // than the quadratic one, else their average.
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp < stx {
            gamma = -gamma;
        }
        let p = (gamma - dx) + theta;
        let q = ((gamma - dx) + gamma) + dp;
        let stpc = stx + p / q * (stp - stx);
        let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        *brackt = true;
        if (stpc - stx).abs() <= (stpq - stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        }
    } else if sgnd < 0.0 {
        // Lower value, derivatives of opposite sign: bracketed; the step farther from stp.
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dx;
        let stpc = stp + p / q * (stx - stp);
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        *brackt = true;
        if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        }
    } else if dp.abs() < dx.abs() {
        // Lower value, same sign, smaller derivative: extrapolate with care.
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).max(0.0).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = (gamma + (dx - dp)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (stx - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if *brackt {
            let stpf = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            if stp > stx {
                stpf.min(stp + P66 * (sty - stp))
            } else {
                stpf.max(stp + P66 * (sty - stp))
            }
        } else {
            let stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf.clamp(stpmin, stpmax)
        }
    } else if *brackt {
        // Lower value, same sign, derivative not smaller: cubic step towards sty.
        let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        let s = theta.abs().max(dy.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dy / s) * (dp / s)).sqrt();
        if stp > sty {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dy;
        stp + p / q * (sty - stp)
    } else if stp > stx {
        stpmax
    } else {
        stpmin
    };

    if fp > fx {
        *y = p;
    } else {
        if sgnd < 0.0 {
            *y = *x;
        }
        *x = p;
    }
    stpf
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the search on φ(α) and returns the accepted step and the number of evaluations.
    fn search(phi: impl Fn(f64) -> (f64, f64), first: f64) -> (f64, usize) {
        let (f0, g0) = phi(0.0);
        let (mut ls, mut stp) = MoreThuente::start(f0, g0, first);
        for evaluations in 1..=50 {
            let (f, g) = phi(stp);
            match ls.step(stp, f, g) {
                Next::Accept => return (stp, evaluations),
                Next::Evaluate(next) => stp = next,
            }
        }
        panic!("no step accepted in 50 evaluations");
    }

    fn assert_wolfe(phi: impl Fn(f64) -> (f64, f64), stp: f64) {
        let (f0, g0) = phi(0.0);
        let (f, g) = phi(stp);
        assert!(f <= f0 + FTOL * stp * g0, "no sufficient decrease at {stp}");
        assert!(g.abs() <= GTOL * g0.abs(), "curvature fails at {stp}");
    }

    #[test]
    fn a_good_first_step_is_taken_at_once() {
        // φ(α) = (α − 1)²: the minimiser is the first trial.
        let phi = |a: f64| ((a - 1.0).powi(2), 2.0 * (a - 1.0));
        assert_eq!(search(phi, 1.0), (1.0, 1));
    }

    #[test]
    fn far_too_short_and_far_too_long_first_steps_end_at_a_wolfe_step() {
        // A smooth convex φ with its minimum at α = 3, and a logistic-like one at α ≈ 40.
        let quartic = |a: f64| ((a - 3.0).powi(4) + a * a, 4.0 * (a - 3.0).powi(3) + 2.0 * a);
        let softplus = |a: f64| {
            let f = (1.0 + (-a + 40.0).exp()).ln() + 0.01 * a;
            let g = -1.0 / (1.0 + (a - 40.0).exp()) + 0.01;
            (f, g)
        };
        for first in [1e-3, 1.0, 1e3] {
            let (stp, evaluations) = search(quartic, first);
            assert_wolfe(quartic, stp);
            assert!(evaluations <= 12, "{first}: {evaluations} evaluations");
            let (stp, _) = search(softplus, first);
            assert_wolfe(softplus, stp);
        }
    }
}
