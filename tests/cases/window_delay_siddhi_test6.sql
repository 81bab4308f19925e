-- Siddhi: DelayWindowTestCase.delayWindowTest6
@app:playback
-- Events delayed 1450 ms (named delay window) join a named time(2 sec) window that still holds them: 2 rows.
CREATE STREAM inputStream (symbol STRING, volume INT);
CREATE WINDOW delayWindow (symbol STRING, volume INT) WINDOW('delay', 1450 MILLISECONDS);
CREATE WINDOW timeWindow (symbol STRING) WINDOW('time', 2 SEC);
INSERT INTO delayWindow SELECT symbol, volume FROM inputStream;
INSERT INTO analyzeStream SELECT symbol, volume FROM delayWindow;
INSERT INTO timeWindow SELECT symbol FROM inputStream;
INSERT INTO outputStream SELECT analyzeStream.symbol FROM analyzeStream JOIN timeWindow ON analyzeStream.symbol = timeWindow.symbol;
