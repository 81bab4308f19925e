-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest11
@app:playback
-- lengthBatch(4, true) with count(): one row per arrival, the count restarting at each new batch (1..4).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream SELECT symbol, price, count() AS volumes FROM cseEventStream WINDOW('lengthBatch', 4, true);
