-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest21
@app:playback
-- lengthBatch(3, true), all events, count(): 9 rows, counts 1,2,3 per batch; the arrival that expires a
-- batch emits only itself (the chunk's last event), so no expired rows.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, count() AS volumes FROM cseEventStream WINDOW('lengthBatch', 3, true);
