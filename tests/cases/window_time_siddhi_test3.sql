-- Siddhi: TimeWindowTestCase.timeWindowTest3
@app:playback
-- time(30 ms), expired events only, into analyzeStream (read by a second query): both events expire
-- 30 ms after arriving and reach analyzeStream and bulbOnStream (Siddhi turns them into current events when
-- they are inserted into a stream).
CREATE STREAM fireAlarmEventStream (deviceID STRING, sonar DOUBLE);
INSERT EXPIRED EVENTS INTO analyzeStream SELECT deviceID FROM fireAlarmEventStream WINDOW('time', 30 MILLISECONDS);
INSERT INTO bulbOnStream SELECT deviceID FROM analyzeStream;
