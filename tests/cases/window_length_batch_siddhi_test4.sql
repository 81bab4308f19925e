-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest4
@app:playback
-- One row per full batch: sum 100.0; symbol and volume are the batch's last event's (Siddhi's
-- QuerySelector.processInBatchNoGroupBy keeps the last event of the chunk).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream SELECT symbol, sum(price) AS sumPrice, volume FROM cseEventStream WINDOW('lengthBatch', 4);
