-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery11
@app:playback
-- group by ip, last every 5 events: after 5 events the last of each group (4), after 10 the last of each
-- group seen since (3, in first-seen order). 7 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT LAST EVERY 5 EVENTS;
