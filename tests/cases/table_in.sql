-- x IN T: membership in a table's primary key (a hash lookup), NOT IN, NULL gives neither.
CREATE TABLE Watchlist (symbol STRING, reason STRING, PRIMARY KEY (symbol));
CREATE STREAM Adds (symbol STRING, reason STRING);
CREATE STREAM Trades (symbol STRING, price DOUBLE);
CREATE STREAM Watched (symbol STRING, price DOUBLE);
CREATE STREAM Unwatched (symbol STRING, price DOUBLE);
INSERT INTO Watchlist SELECT symbol, reason FROM Adds;
INSERT INTO Watched SELECT symbol, price FROM Trades WHERE symbol IN Watchlist;
INSERT INTO Unwatched SELECT symbol, price FROM Trades WHERE symbol NOT IN Watchlist;
