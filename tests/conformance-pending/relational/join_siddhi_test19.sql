-- Siddhi: JoinTestCase.joinTest19
@app:playback
-- Windowless stream joined with a table, count(): asserted 3 (three rows), then 2 after a
-- delete. One row per triggering event; the windowless side's RESET restarts count().
CREATE STREAM dataIn (id INT, data STRING);
CREATE STREAM countIn (id INT);
CREATE STREAM deleteIn (id INT);
CREATE TABLE dataTable (id INT, data STRING);
INSERT INTO dataTable SELECT * FROM dataIn;
DELETE FROM dataTable USING deleteIn WHERE dataTable.id = deleteIn.id;
INSERT INTO countOut SELECT count() AS count FROM countIn AS c JOIN dataTable AS d;
