-- Siddhi: ExternalTimeWindowTestCase.externalTimeWindowTest1
@app:playback
-- externalTime(timestamp, 5 sec), all events: an arrival expires the held events at least 5 s older than it
-- (by the attribute): 5 current events, 4 expired ones.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT timestamp, ip FROM LoginEvents WINDOW('externalTime', timestamp, 5 SEC);
