-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest10
@app:playback
-- timeLength(10 sec, 5), 8 events 500 ms apart: arrivals 6-8 push out the oldest (8 in, 3 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, volume FROM cseEventStream WINDOW('timeLength', 10 SEC, 5);
