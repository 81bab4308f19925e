-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery6
@app:playback
-- group by ip, first every 1 sec (per group): the first of each ip, then .4 again 1.1 s later and .30: 6 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT FIRST EVERY 1 SEC;
