// What the bridge needs from an MQTT connection. `MqttConnection` (connection.ts) implements it
// with mqtt.js; the bridge depends only on this interface.

export interface PublishOptions {
  retain?: boolean;
  qos?: 0 | 1;
}

export interface MqttLink {
  readonly connected: boolean;
  /**
   * Publishes, or queues while disconnected. The queue is bounded (oldest dropped first, retained
   * topics keep only their latest payload), so a long outage never grows memory without bound.
   * Resolves when handed to the broker (QoS 1: acknowledged); never rejects: failures are logged.
   */
  publish(topic: string, payload: string, options?: PublishOptions): Promise<void>;
  /** Subscribes at QoS 1; the subscription is renewed after every reconnect. */
  subscribe(topics: string[]): Promise<void>;
  unsubscribe(topics: string[]): Promise<void>;
  /** Every incoming message; the first handler also gets those that arrived before it, in order. */
  onMessage(handler: (topic: string, payload: Buffer, retained: boolean) => void): void;
  /** After every (re)connect, once `online` is published and subscriptions are renewed. */
  onConnect(handler: () => void): void;
}
