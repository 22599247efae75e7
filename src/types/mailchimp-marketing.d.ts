/**
 * The part of `@mailchimp/mailchimp_marketing` (no types of its own) the Mailchimp channel
 * uses: the `ApiClient` constructor, for a client per account instead of the package's
 * shared singleton.
 */
declare module '@mailchimp/mailchimp_marketing/src/ApiClient' {
  interface MailchimpConfig {
    apiKey?: string;
    accessToken?: string;
    /** Replaces the first `server` in `basePath`; leave unset when `basePath` is set. */
    server?: string;
  }

  interface MailchimpListMemberBody {
    email_address: string;
    status_if_new: string;
    merge_fields?: Record<string, string | number | boolean | null>;
  }

  interface MailchimpListMember {
    id: string;
    email_address: string;
    unique_email_id?: string;
    contact_id?: string;
    status?: string;
    [key: string]: unknown;
  }

  /** The superagent request the client is about to send (only what is used here). */
  interface SuperagentRequest {
    agent(agent: unknown): SuperagentRequest;
    redirects(n: number): SuperagentRequest;
  }

  class ApiClient {
    constructor();
    /** When true, `agent.attachCookies` sees every request before it is sent (node only). */
    enableCookies: boolean;
    agent: { attachCookies(request: SuperagentRequest): void; saveCookies(response: unknown): void };
    /** Default `https://server.api.mailchimp.com/3.0`. */
    basePath: string;
    /** Request timeout in ms (default 120000). */
    timeout: number;
    defaultHeaders: Record<string, string>;
    /** Replaces the whole config object. */
    setConfig(config: MailchimpConfig): void;
    lists: {
      setListMember(
        listId: string,
        subscriberHash: string,
        body: MailchimpListMemberBody,
        opts?: { skipMergeValidation?: boolean },
      ): Promise<MailchimpListMember>;
    };
    ping: {
      get(): Promise<{ health_status: string }>;
    };
  }

  export = ApiClient;
}
