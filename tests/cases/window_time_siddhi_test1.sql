-- Siddhi: TimeWindowTestCase.timeWindowTest1
@app:playback
-- time(2 sec), all events: 2 current, then 2 expired (each 2 s after its arrival; Thread.sleep(4000)
-- becomes --until 5000).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('time', 2 SEC);
