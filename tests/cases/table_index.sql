-- @index('sector'): a join on a non-key attribute uses the secondary index, which follows
-- upserts, updates and deletes; rows come back in table order, as a scan would give them.
@index('sector')
CREATE TABLE Stocks (symbol STRING, sector STRING, price DOUBLE, PRIMARY KEY (symbol));
CREATE STREAM Quotes (symbol STRING, sector STRING, price DOUBLE);
CREATE STREAM Moves (symbol STRING, sector STRING);
CREATE STREAM Delists (symbol STRING);
CREATE STREAM Probes (sector STRING);
CREATE STREAM InSector (sector STRING, symbol STRING, price DOUBLE);
UPSERT INTO Stocks SELECT symbol, sector, price FROM Quotes;
UPDATE Stocks SET sector = m.sector FROM Moves AS m WHERE Stocks.symbol = m.symbol;
DELETE FROM Stocks USING Delists AS d WHERE Stocks.symbol = d.symbol;
INSERT INTO InSector
SELECT p.sector AS sector, s.symbol AS symbol, s.price AS price
FROM Probes AS p JOIN Stocks AS s ON p.sector = s.sector;
