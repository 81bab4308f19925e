//! Audio and video of one sender on one clock, and how far apart they arrive.
//!
//! RTP sessions each run their own clock (90 kHz video, 48 kHz audio, random starts); an RTCP
//! sender report ties one RTP time of a session to the sender's wall clock (NTP), which both
//! sessions share. [`SenderClock`] turns a session's RTP times into that wall clock, and
//! [`AvSync`] puts the wall clock's origin at the pair's first frame so both carry ms on the
//! same scale. An MPEG-TS program is one clock already (its PTS run on the PCR's time base), so
//! there only [`AvSync`]'s drift is used.
//!
//! Drift: each frame's lag is its arrival time minus its presentation time on the common
//! clock; the drift is audio's smoothed lag minus video's. 0 means audio and the video it
//! plays with arrive together; +40 means audio arrives 40 ms later than its video (a player
//! must hold video 40 ms), negative means audio is early (typical of an encoder whose video
//! path has lookahead). Sans-IO: times in, times out.

use super::codec::MediaKind;
use super::timestamp::Unwrapper;

/// The weight of a new lag in the smoothed one: about the last 32 frames count.
const SMOOTHING: f64 = 1.0 / 32.0;

/// A session's RTP clock against the sender's wall clock, from its latest sender report.
#[derive(Debug, Clone)]
pub struct SenderClock {
    rate: i64,
    /// The report's RTP time (raw) and the wall time it stands for (unix ms).
    report: Option<(u32, i64)>,
}

impl SenderClock {
    pub fn new(rate: u32) -> SenderClock {
        SenderClock {
            rate: i64::from(rate.max(1)),
            report: None,
        }
    }

    /// A sender report: RTP time `rtp` is unix time `wall_ms` at the sender.
    pub fn report(&mut self, rtp: u32, wall_ms: i64) {
        self.report = Some((rtp, wall_ms));
    }

    pub fn has_report(&self) -> bool {
        self.report.is_some()
    }

    /// The sender's wall time of the RTP time `ext` (extended by `clock`, which last unwrapped
    /// it); `None` before a report.
    pub fn wall_ms(&self, clock: &Unwrapper, ext: i64) -> Option<i64> {
        let (rtp, wall) = self.report?;
        let report_ext = clock.nearest(u64::from(rtp));
        Some(wall + (ext - report_ext) * 1000 / self.rate)
    }
}

/// The common clock of an audio and a video session, and their drift.
#[derive(Debug, Clone, Default)]
pub struct AvSync {
    origin_ms: Option<i64>,
    video_lag: Option<f64>,
    audio_lag: Option<f64>,
}

impl AvSync {
    /// ms on the common clock of the sender wall time `wall_ms`; the first call sets the
    /// origin at `wall_ms - own_ms`, so a session's times do not jump when it is the first to
    /// join (`own_ms`: its time so far on its own clock).
    pub fn common_ms(&mut self, wall_ms: i64, own_ms: i64) -> i64 {
        wall_ms - *self.origin_ms.get_or_insert(wall_ms - own_ms)
    }

    /// A frame of `media` with presentation time `pts_ms` (common clock) arrived at
    /// `arrival_ms` (the receiver's clock).
    pub fn observe(&mut self, media: MediaKind, pts_ms: i64, arrival_ms: i64) {
        let lag = (arrival_ms - pts_ms) as f64;
        let slot = match media {
            MediaKind::Video => &mut self.video_lag,
            MediaKind::Audio => &mut self.audio_lag,
        };
        *slot = Some(match *slot {
            None => lag,
            Some(before) => before + (lag - before) * SMOOTHING,
        });
    }

    /// Audio's lag minus video's, ms; `None` until both were seen.
    pub fn drift_ms(&self) -> Option<f64> {
        Some(self.audio_lag? - self.video_lag?)
    }

    /// One side left (its session closed): its lag no longer counts.
    pub fn forget(&mut self, media: MediaKind) {
        match media {
            MediaKind::Video => self.video_lag = None,
            MediaKind::Audio => self.audio_lag = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_rtp_clocks_meet_on_the_sender_wall_clock() {
        // Video at 90 kHz from near 2^32 (it wraps), audio at 48 kHz from 1000; both sender
        // reports say the same wall instant 1_700_000_000_000 ms.
        let wall0 = 1_700_000_000_000;
        let (mut vclock, mut aclock) = (Unwrapper::new(32), Unwrapper::new(32));
        let mut v = SenderClock::new(90_000);
        let mut a = SenderClock::new(48_000);
        v.report(4_294_800_000, wall0);
        a.report(1000, wall0);
        let mut sync = AvSync::default();
        // The first video frame is 1 s after the report.
        let vext = vclock.unwrap(4_294_800_000 + 90_000);
        let vwall = v.wall_ms(&vclock, vext).unwrap();
        assert_eq!(vwall, wall0 + 1000);
        assert_eq!(sync.common_ms(vwall, 0), 0, "the first frame is the origin");
        // Audio of the same instant: same common time.
        let aext = aclock.unwrap(1000 + 48_000);
        assert_eq!(sync.common_ms(a.wall_ms(&aclock, aext).unwrap(), 0), 0);
        // Two seconds on, after the video clock wrapped past 2^32.
        let raw = u64::from(4_294_800_000u32.wrapping_add(3 * 90_000));
        assert!(raw < 4_294_800_000, "wrapped");
        let vext = vclock.unwrap(raw);
        assert_eq!(sync.common_ms(v.wall_ms(&vclock, vext).unwrap(), 0), 2000);
        let aext = aclock.unwrap(1000 + 3 * 48_000);
        assert_eq!(sync.common_ms(a.wall_ms(&aclock, aext).unwrap(), 0), 2000);
    }

    #[test]
    fn no_report_no_wall_time() {
        let mut c = Unwrapper::new(32);
        let ext = c.unwrap(5);
        assert_eq!(SenderClock::new(90_000).wall_ms(&c, ext), None);
    }

    #[test]
    fn drift_is_audio_lag_minus_video_lag() {
        let mut s = AvSync::default();
        assert_eq!(s.drift_ms(), None);
        for i in 0..100 {
            // Video arrives 100 ms after its pts, audio 130 ms after.
            s.observe(MediaKind::Video, i * 40, i * 40 + 100);
            s.observe(MediaKind::Audio, i * 20, i * 20 + 130);
        }
        assert!((s.drift_ms().unwrap() - 30.0).abs() < 1e-9);
        // Audio starts arriving early: the drift follows, smoothed.
        for i in 100..400 {
            s.observe(MediaKind::Audio, i * 20, i * 20 + 60);
        }
        let d = s.drift_ms().unwrap();
        assert!((d + 40.0).abs() < 0.1, "{d}");
        s.forget(MediaKind::Audio);
        assert_eq!(s.drift_ms(), None);
    }

    #[test]
    fn a_late_joiner_keeps_its_own_times_when_it_is_first() {
        let mut s = AvSync::default();
        // A session 500 ms into its own clock learns its wall time: no jump.
        assert_eq!(s.common_ms(10_500, 500), 500);
        assert_eq!(s.common_ms(10_540, 540), 540);
    }
}
