-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery14
@app:playback
-- Partitioned by symbol, group by symbol, last every 1 sec: one event per period (.3, .4, .30).
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING, symbol STRING);
PARTITION WITH (symbol OF LoginEvents) BEGIN
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY symbol OUTPUT LAST EVERY 1 SEC;
END;
