-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery7
@app:playback
-- group by ip, last every 1 sec: at each period end the last event of each group seen in it: 4 + 2 events.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT LAST EVERY 1 SEC;
