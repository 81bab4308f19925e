@app:playback
CREATE TRIGGER Tick AT EVERY 1 SECOND;
CREATE TRIGGER Boot AT START;
CREATE TRIGGER Cron2 AT CRON '*/2 * * * * *';
CREATE STREAM S (v INT);
INSERT INTO Ticks SELECT triggered_time FROM Tick;
INSERT INTO Boots SELECT triggered_time FROM Boot;
INSERT INTO Crons SELECT triggered_time AS at FROM Cron2;
INSERT INTO Sums SELECT sum(v) AS total FROM S WINDOW('time', 1 SECOND);
