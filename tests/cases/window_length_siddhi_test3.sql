-- Siddhi: LengthWindowTestCase.lengthWindowTest3
@app:playback
-- Counted through a QueryCallback: 6 current events and 2 expired ones.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('length', 4);
