-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest12
@app:playback
-- Expired events only: when a batch expires one row is emitted (the chunk's last expired event, count 0),
-- twice over 9 events.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT EXPIRED EVENTS INTO outputStream SELECT symbol, price, count() AS volumes FROM cseEventStream WINDOW('lengthBatch', 4, true);
