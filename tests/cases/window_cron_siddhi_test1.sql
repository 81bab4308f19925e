-- Siddhi: CronWindowTestCase.cronWindowTest1
@app:playback
-- cron every 5 s; pairs of events 7 s apart (Thread.sleep(7000)) at 1.5 s, 8.5 s, 15.5 s: each pair is emitted
-- at the next firing (5 s, 10 s, 20 s): 6 current events.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('cron', '*/5 * * * * ?');
