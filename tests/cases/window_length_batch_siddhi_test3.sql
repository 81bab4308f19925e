-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest3
@app:playback
-- Batches of 2, all events: each full batch first expires the previous one, then is emitted.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('lengthBatch', 2);
