// Fixed Funtrips catalogue and wallet data served by the emulator.

export interface Merchant {
  id: string
  name: string
  city: string
  category: string
}

export interface Product {
  id: string
  merchant_id: string
  name: string
  price: {amount: number; currency: string}
}

export interface WalletTransaction {
  id: string
  type: 'credit' | 'debit'
  amount: number
  currency: string
  description: string
  created_at: string
}

export const MERCHANTS: readonly Merchant[] = [
  {id: 'mer_aquapark', name: 'Aquapark Zuid', city: 'Rotterdam', category: 'water-park'},
  {id: 'mer_zoo', name: 'Dierentuin Noord', city: 'Groningen', category: 'zoo'},
  {id: 'mer_museum', name: 'Scheepvaartmuseum', city: 'Amsterdam', category: 'museum'},
]

export const PRODUCTS: readonly Product[] = [
  {id: 'prd_aqua_day', merchant_id: 'mer_aquapark', name: 'Day ticket', price: {amount: 2450, currency: 'EUR'}},
  {id: 'prd_aqua_family', merchant_id: 'mer_aquapark', name: 'Family ticket (4)', price: {amount: 8200, currency: 'EUR'}},
  {id: 'prd_zoo_adult', merchant_id: 'mer_zoo', name: 'Adult', price: {amount: 2195, currency: 'EUR'}},
  {id: 'prd_zoo_child', merchant_id: 'mer_zoo', name: 'Child (3–12)', price: {amount: 1695, currency: 'EUR'}},
  {id: 'prd_museum_entry', merchant_id: 'mer_museum', name: 'Entry', price: {amount: 1750, currency: 'EUR'}},
]

export const WALLET_BALANCE = {amount: 2500, currency: 'EUR'} as const

export const WALLET_TRANSACTIONS: readonly WalletTransaction[] = [
  {id: 'wtx_001', type: 'credit', amount: 5000, currency: 'EUR', description: 'Welcome bonus', created_at: '2025-01-02T09:00:00.000Z'},
  {id: 'wtx_002', type: 'debit', amount: 2450, currency: 'EUR', description: 'Aquapark Zuid – Day ticket', created_at: '2025-01-10T13:12:00.000Z'},
  {id: 'wtx_003', type: 'credit', amount: 500, currency: 'EUR', description: 'Cashback', created_at: '2025-01-11T08:30:00.000Z'},
  {id: 'wtx_004', type: 'debit', amount: 1750, currency: 'EUR', description: 'Scheepvaartmuseum – Entry', created_at: '2025-02-01T15:45:00.000Z'},
  {id: 'wtx_005', type: 'credit', amount: 1200, currency: 'EUR', description: 'Referral reward', created_at: '2025-02-14T10:00:00.000Z'},
]
