import { ConfigProvider } from 'antd';
import type { Locale } from 'antd/es/locale/index.js';
import enUS from 'antd/es/locale/en_US.js';
import zhCN from 'antd/es/locale/zh_CN.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn.js';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { MESSAGES, type MessageKey } from './messages.js';
import { theme } from './theme.js';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_STORAGE_KEY = 'tg.lang';

const ANTD_LOCALES: Record<Language, Locale> = { en: enUS, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translate(lang: Language, key: MessageKey, values?: Record<string, string | number>): string {
  const text: string = MESSAGES[key][lang === 'zh-CN' ? 1 : 0];
  return values ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`)) : text;
}

/** The remembered choice, else the browser's language. */
export function initialLanguage(storage: Storage = globalThis.localStorage, navigatorLanguage = globalThis.navigator?.language ?? 'en'): Language {
  const saved = storage.getItem(LANGUAGE_STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigatorLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

interface I18nValue {
  lang: Language;
  setLang(lang: Language): void;
  t: Translate;
}

const I18nContext = createContext<I18nValue | null>(null);

/** Language, translations and the matching antd locale (and theme) for everything inside. */
export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Language }) {
  const [lang, setLangState] = useState<Language>(() => initial ?? initialLanguage());
  const setLang = useCallback((next: Language) => {
    globalThis.localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18nValue>(() => {
    dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
    return { lang, setLang, t: (key, values) => translate(lang, key, values) };
  }, [lang, setLang]);
  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={ANTD_LOCALES[lang]} theme={theme}>
        {children}
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside <I18nProvider>');
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}
