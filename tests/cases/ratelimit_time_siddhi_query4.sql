-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery4
@app:playback
-- output first every 1 sec: .5, then .9 (1.1 s later), then .30: 3 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents OUTPUT FIRST EVERY 1 SEC;
