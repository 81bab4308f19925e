-- EventFlux regression (audit finding: a snapshot over a plain window re-emitted every event
-- ever received). Siddhi's rule, as in SnapshotOutputRateLimitTestCase.testSnapshotOutputRateLimitQuery13
-- for a time window: each snapshot is what the window holds at the tick.
@app:playback
CREATE STREAM S (x INT);
INSERT INTO O SELECT x FROM S WINDOW('length', 2) OUTPUT SNAPSHOT EVERY 1 SEC;
