-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery16
@app:playback
-- group by ip, first every 1 sec: the first row of each of the 4 ips.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents GROUP BY ip OUTPUT FIRST EVERY 1 SEC;
