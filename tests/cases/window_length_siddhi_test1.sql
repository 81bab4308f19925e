-- Siddhi: LengthWindowTestCase.lengthWindowTest1
@app:playback
-- Fewer events than the window holds: each arrival is emitted as a current event, none expire.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('length', 4);
