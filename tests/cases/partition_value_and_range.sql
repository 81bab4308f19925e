CREATE STREAM Trades (symbol STRING, price DOUBLE);
@purge(enable='true', interval='1 sec', idle.period='2 sec')
PARTITION WITH (symbol OF Trades)
BEGIN
  @info(name='per-symbol')
  INSERT INTO #Sums SELECT symbol, sum(price) AS total FROM Trades WINDOW('length', 2);
  INSERT INTO Out SELECT symbol, total FROM #Sums WHERE total > 0;
END;
PARTITION WITH (price < 100 AS 'low' OR price >= 100 AS 'high' OF Trades)
BEGIN
  INSERT INTO Bands SELECT count() AS n FROM Trades;
END;
