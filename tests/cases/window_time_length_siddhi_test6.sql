-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest6
@app:playback
-- timeLength(3 sec, 6), sum, events 520 ms apart: id1, id2, id3 expire by time (each alone in its
-- chunk, so each gives an expired row, sum 5); id6-id8 see sum 6. 8 in, 3 removed.
CREATE STREAM sensorStream (id STRING, sensorValue INT);
INSERT ALL EVENTS INTO outputStream SELECT id, sum(sensorValue) AS sum FROM sensorStream WINDOW('timeLength', 3 SEC, 6);
