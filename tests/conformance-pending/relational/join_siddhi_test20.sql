-- Siddhi: JoinTestCase.joinTest20
@app:playback
-- Left outer stream-table join on a table-only condition, count(): asserted 3, then 2.
CREATE STREAM dataIn (id INT, data STRING);
CREATE STREAM countIn (id INT);
CREATE STREAM deleteIn (id INT);
CREATE TABLE dataTable (id INT, data STRING);
INSERT INTO dataTable SELECT * FROM dataIn;
DELETE FROM dataTable USING deleteIn WHERE dataTable.id = deleteIn.id;
INSERT INTO countOut SELECT count() AS count FROM countIn AS c LEFT OUTER JOIN dataTable AS d ON d.data = 'abc';
