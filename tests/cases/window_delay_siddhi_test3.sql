-- Siddhi: DelayWindowTestCase.delayWindowTest3
@app:playback
-- A named delay(2 sec) window (Siddhi: define window ... delay(2 sec) output all events) read by a query:
-- the 4 events come out 2 s later (as current events).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE WINDOW csEventWindow (symbol STRING, price FLOAT, volume INT) WINDOW('delay', 2 SEC);
INSERT INTO csEventWindow SELECT symbol, price, volume FROM cseEventStream;
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM csEventWindow;
