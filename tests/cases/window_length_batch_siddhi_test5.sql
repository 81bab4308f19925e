-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest5
@app:playback
-- Expired events only: batches [1,2] and [3,4] expire when the next batch fills (4 events, in order).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT EXPIRED EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('lengthBatch', 2);
