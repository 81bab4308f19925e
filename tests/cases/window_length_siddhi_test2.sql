-- Siddhi: LengthWindowTestCase.lengthWindowTest2
@app:playback
-- Six events through length(4) into a StreamCallback: 6 current events, and the 5th and 6th
-- arrivals each push out the oldest event (volume 1, then 2), the expired event first.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('length', 4);
