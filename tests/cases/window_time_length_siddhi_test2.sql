-- Siddhi: TimeLengthWindowTestCase.timeLengthWindowTest2
@app:playback
-- timeLength(2 sec, 10), events 1.2 s apart: each expires 2 s after arriving (4 in, 4 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('timeLength', 2 SEC, 10);
