-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest10
@app:playback
-- lengthBatch(4, true): each event is emitted on arrival; the 5th and 9th arrivals first expire the
-- full batch (4 expired events, then the arrival: 17 events in all).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('lengthBatch', 4, true);
