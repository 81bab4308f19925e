-- Siddhi: TimeWindowTestCase.timeWindowTest2
@app:playback
-- time(1 sec) with pairs of events 1.1 s apart (the Thread.sleep(1100) calls): each pair expires before
-- the next arrives; 6 current and 6 expired events, every expired event after its arrival.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('time', 1 SEC);
