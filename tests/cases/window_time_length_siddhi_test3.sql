-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest3
@app:playback
-- timeLength(10 sec, 4), 8 events 500 ms apart: arrivals 5-8 each push out the oldest (8 in, 4 removed).
CREATE STREAM sensorStream (id STRING, sensorValue FLOAT);
INSERT ALL EVENTS INTO outputStream SELECT id, sensorValue FROM sensorStream WINDOW('timeLength', 10 SEC, 4);
