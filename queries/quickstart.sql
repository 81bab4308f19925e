-- Quickstart: synthetic trades in, large trades out, printed to the terminal.
-- Run: cargo run --release -- run queries/quickstart.sql
@app:name('Quickstart')

@source(type='datagen', rate='20', count='40',
        fields.symbol.kind='one_of', fields.symbol.values='IBM,WSO2,ORCL,MSFT',
        fields.price.kind='random', fields.price.min='10', fields.price.max='200',
        fields.volume.kind='random', fields.volume.min='1', fields.volume.max='1000')
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);

@sink(type='stdout')
CREATE STREAM LargeTrades (symbol STRING, price DOUBLE, volume INT, notional DOUBLE, size STRING);

@info(name='large-trades')
INSERT INTO LargeTrades
SELECT symbol, round(price, 2) AS price, volume, round(price * volume, 2) AS notional,
       CASE WHEN volume >= 900 THEN 'block' ELSE 'large' END AS size
FROM Trades
WHERE volume > 500;
