CREATE STREAM T (symbol STRING, v INT);
INSERT ALL EVENTS INTO Out SELECT symbol, v FROM T WINDOW('frequent', 2, symbol);
