// The shapes the console reads (see /openapi.json for the full documents).
export interface User {
  id: string;
  name: string;
  email: string;
  phone?: string | null;
  notify_channel: string;
  webhook_url?: string | null;
  created_at: string;
}

export interface OrderItem {
  sku: string;
  quantity: number;
  unit_price: number;
}

export interface Order {
  id: string;
  user_id: string;
  items: OrderItem[];
  currency: string;
  total: number;
  status: string;
  note?: string | null;
  created_at: string;
}

export interface Notification {
  event_id: string;
  channel: string;
  status: string;
  attempts: number;
  last_error: string | null;
  updated_at: string | null;
  delivered_at: string | null;
  next_attempt_at?: string | null;
}

export interface DeadLetter {
  event_id: string;
  order_id: string;
  user_id: string;
  channel: string;
  status: string;
  attempts: number;
  last_error: string | null;
  updated_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  rate: number | null;
  burst: number | null;
  created_at: string;
  revoked_at: string | null;
  key?: string;
}
