-- Demo master data for logistics: two branch warehouses and opening stock. Idempotent;
-- loaded as role logistics. Opening stock goes in as receipts with ledger movements, like
-- any other stock, so the movement ledger always adds up to the stock on hand.
INSERT INTO warehouses (code, name, branch, priority) VALUES
    ('SH-01', 'Shanghai Pudong warehouse', 'Shanghai', 10),
    ('GZ-01', 'Guangzhou Baiyun warehouse', 'Guangzhou', 20)
ON CONFLICT (code) DO NOTHING;
WITH opening (warehouse, sku, quantity) AS (VALUES
        ('SH-01', 'SKU-001', 500), ('GZ-01', 'SKU-001', 200),
        ('SH-01', 'SKU-002', 1000),
        ('SH-01', 'SKU-003', 20), ('GZ-01', 'SKU-003', 5)),
    fresh AS (
        INSERT INTO receipts (reference, warehouse, sku, quantity)
        SELECT 'OPENING-' || warehouse || '-' || sku, warehouse, sku, quantity FROM opening
        ON CONFLICT (reference) DO NOTHING RETURNING reference, warehouse, sku, quantity),
    ledger AS (
        INSERT INTO movements (warehouse, sku, kind, on_hand_delta, reference)
        SELECT warehouse, sku, 'receipt', quantity, reference FROM fresh)
INSERT INTO stock (warehouse, sku, on_hand) SELECT warehouse, sku, quantity FROM fresh
ON CONFLICT (warehouse, sku) DO UPDATE SET on_hand = stock.on_hand + EXCLUDED.on_hand;
