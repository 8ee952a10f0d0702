import { useState } from 'react';
import { Autocomplete, Loader } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { $sales } from '../api/clients';
import { t } from '../i18n/t';

/** Search across customers from every page (staff): type, pick, open the customer's 360 page. */
export function CustomerSearch() {
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 200);
  const navigate = useNavigate();
  const found = $sales.useQuery('get', '/customers', { params: { query: { q, limit: 10 } } }, { enabled: q.length >= 2 });
  const items = (found.data?.items ?? []).map((c) => ({ value: c.customerId, label: c.name }));
  return (
    <Autocomplete
      aria-label={t('search.label')}
      placeholder={t('search.placeholder')}
      leftSection={<IconSearch size={16} />}
      rightSection={found.isFetching ? <Loader size="xs" /> : null}
      data={items.map((i) => ({ value: `${i.label}\u2063${i.value}`, label: i.label }))}
      filter={({ options }) => options}
      value={text}
      onChange={setText}
      onOptionSubmit={(value) => {
        const id = value.split('\u2063')[1];
        setText('');
        if (id) navigate(`/customers/${id}`);
      }}
      w={{ base: '100%', sm: 360 }}
      limit={10}
    />
  );
}
