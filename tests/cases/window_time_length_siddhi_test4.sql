-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest4
@app:playback
-- timeLength(2 sec, 4), 6 events 500 ms apart: events expire by time (2 s) before the length limit
-- is reached (6 in, 6 removed).
CREATE STREAM sensorStream (id STRING, sensorValue FLOAT);
INSERT ALL EVENTS INTO outputStream SELECT id, sensorValue FROM sensorStream WINDOW('timeLength', 2 SEC, 4);
