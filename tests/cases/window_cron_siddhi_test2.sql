-- Siddhi: CronWindowTestCase.cronWindowTest2
@app:playback
-- Expired events only: the first two batches expire (at the firings that emit the next batch): 4 events.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT EXPIRED EVENTS INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('cron', '*/5 * * * * ?');
