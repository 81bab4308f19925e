-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest1
@app:playback
-- timeLength(4 sec, 10), 4 events 500 ms apart: all expire by time, 4 s after arriving (4 in, 4 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('timeLength', 4 SEC, 10);
