-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest7
@app:playback
-- timeLength(5 sec, 5), sum, 4 events 100 ms apart: sums 1, 2, 3, 4.
CREATE STREAM sensorStream (id STRING, sensorValue INT);
INSERT INTO outputStream SELECT id, sum(sensorValue) AS sum FROM sensorStream WINDOW('timeLength', 5 SEC, 5);
