import type { PlatformMessage } from '@gonghai/plugin-core';

/**
 * WeCom markdown has no title; it becomes the first line as a heading, which the client renders bold and the sandbox
 * reads back as the title.
 */
function markdownContent(message: PlatformMessage): string {
  return `## ${message.title}\n${message.text}`;
}

/** A group robot message (wecom-api §4b): markdown, or a `text_notice` template card with one link. */
export function robotMessage(message: PlatformMessage): Record<string, unknown> {
  if (message.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: markdownContent(message) } };
  return {
    msgtype: 'template_card',
    template_card: {
      card_type: 'text_notice',
      main_title: { title: message.title },
      sub_title_text: message.text,
      card_action: { type: 1, url: message.url },
      jump_list: [{ type: 1, url: message.url, title: message.buttonText }],
    },
  };
}

/** An app message to `touser` (§4a): markdown, or a `textcard` whose button text WeCom caps at 4 characters. */
export function appMessage(userIds: readonly string[], message: PlatformMessage): Record<string, unknown> {
  const touser = userIds.join('|');
  if (message.kind === 'markdown') return { touser, msgtype: 'markdown', markdown: { content: markdownContent(message) } };
  return {
    touser,
    msgtype: 'textcard',
    textcard: {
      title: message.title,
      description: message.text,
      url: message.url,
      btntxt: Array.from(message.buttonText).slice(0, 4).join(''),
    },
  };
}
